"""The Dash user interface of the web dashboard: layout, callbacks, charts and exports' writers."""
