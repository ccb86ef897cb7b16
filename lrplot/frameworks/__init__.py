"""What training frameworks do around a scheduler, and their file formats.

Each module knows one framework, read from its source (the versions are pinned in
constraints.txt and cited in each module): which settings shape the schedule, how they turn into
optimizer steps and scheduler steps, and how its own files (a LightningCLI config, a
``TrainingArguments`` JSON) become an lrplot spec. The spec package (:mod:`lrplot.config`) asks
these modules; nothing here imports it, torch or the framework itself.
"""
