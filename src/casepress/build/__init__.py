"""Stage 4, build: the pipeline that runs the stages in order, batches of cases on worker
processes, the manifest and incremental cache, atomic publishing, and `watch`.
"""
