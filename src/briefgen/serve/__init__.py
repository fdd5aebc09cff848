"""``briefgen serve``: a web editor for the project, with a live preview.

server.py runs it; app.py holds the app and its safety rules; pages.py and edits.py the
pages and forms; editor.py the live project; candidate.py judges a change before it is
written; yamledit.py edits YAML text in place; forms.py and preview.py help them.
"""
