// citeproc-js, the reference CSL processor (Zotero's and Mendeley's), as the tests' judge.
//
// Reads one JSON request on stdin:
//   {"style": "/path/style.csl", "locales": "/folder/of/locales-xx-XX.xml", "lang": "en-US" | null,
//    "items": [CSL-JSON...], "format": "text" | "html"}
// and prints {"entries": [[id, text], ...], "citations": [[id, text], ...]}: the bibliography
// of every item, cited once each in the given order (so numbers follow that order), and
// each item's in-text citation as it reads after all were cited (disambiguated).
// Locales are served from disk (citeproc-py's files), never fetched.
"use strict";

const fs = require("fs");
const path = require("path");
const modules = process.env.CITEPROC_JS_MODULES || path.join(__dirname, "..", "..", ".cache", "citeproc", "node_modules");
const CSL = require(path.join(modules, "citeproc"));

function main(request) {
  const style = fs.readFileSync(request.style, "utf8");
  const items = {};
  for (const item of request.items) items[String(item.id)] = item;
  const sys = {
    retrieveItem: (id) => items[id],
    retrieveLocale: (lang) => {
      const file = path.join(request.locales, `locales-${lang}.xml`);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
    },
  };
  const engine = new CSL.Engine(sys, style, request.lang || undefined, true);
  engine.setOutputFormat(request.format || "text");
  const ids = request.items.map((item) => String(item.id));
  // One citation per item, in order: numeric styles number by first citation.
  const clusters = ids.map((id, n) => ({ citationID: `c${n}`, citationItems: [{ id }], properties: { noteIndex: 0 } }));
  const citations = engine.rebuildProcessorState(clusters, request.format || "text")
    .map(([citationID, , text]) => [ids[Number(citationID.slice(1))], text]);
  const entries = [];
  if (engine.bibliography.tokens.length) {
    const [meta, bodies] = engine.makeBibliography();
    meta.entry_ids.forEach((entryIds, n) => entries.push([String(entryIds[0]), bodies[n]]));
  }
  return { entries, citations };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(main(JSON.parse(input))));
});
