"""Per-user notices for the phone retirement: what changes for each user, what they must do and by when,
in the three phases of an announcement (Awareness, Action, Reminder), and how many helpdesk contacts to
expect (docs/notices.md)."""
