"""The dashboard: the overview numbers, bulk replay and the embedded (local admin) app that the
server routes and the CLI share; the page itself is plain HTML, CSS and JavaScript modules in
``static/``, shipped in the package and loaded from the server that serves the API."""
