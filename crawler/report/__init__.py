"""What newsmon found, for people: digests in five formats, `status`, and `serve`.

`records` reads events into plain data from one snapshot; `wording` says an event in
words; one `render_*` module per format; `digest` picks the format and writes the file;
`status` is `newsmon status`; `serve` is Datasette.
"""
