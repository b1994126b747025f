"""The Telegram channel on aiogram 3: updates become engine events, replies become messages.

The service starts it with `bot.channels.telegram.runner.start_telegram`.
"""
