"""The consent officers' web page: static HTML, CSS and JavaScript over the /v1 API."""
