"""The pages: routes that read the session, call the API and render a template."""
