"""One module per top-level section of config.yaml."""
