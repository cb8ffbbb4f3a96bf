"""The web server: the Dash app on Flask, sign-in and sessions, the app database, the audit log,
the settings of a deployment and the services shared by a request."""
