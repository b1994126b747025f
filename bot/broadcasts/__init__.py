"""Tips and announcements to citizens who opted in: claimed, sent, recorded, resumable."""
