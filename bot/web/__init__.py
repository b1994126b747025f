"""The web app: the web chat now; the Telegram webhook and the dashboard add their routes to it."""
