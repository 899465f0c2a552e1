"""Journal templates: the `extends` chain and its journal.yaml, section order and labels, the
sandboxed Jinja environment, template and stylesheet checks, and located template errors.
"""
