"""`sop lsp`: a language server for rulebooks (the designer's editor).

It reuses the validator and the model, never a second parser: diagnostics
are `validate_texts` over the rulebook folder with the editor's unsaved
buffers in place of the files (a memo keeps each unchanged file's result);
definitions, references, rename and the outline are read from the built
model's `Ref`s and positions (`symbols`); completion and hover read the
model and the JSON Schemas. Only `server` imports pygls: the rest is plain
code, tested without an editor.
"""
