"""Browser and accessibility tests: Chromium through Playwright, axe-core from npm."""
