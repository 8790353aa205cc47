"""The console's screens: the main panes, detail views, dialogs and lists."""

from cc_console.screens.detail import AgencyDetailScreen, IncidentDetailScreen, MeetingDetailScreen
from cc_console.screens.dialogs import AgencyPicker, NotePrompt
from cc_console.screens.lists import (
    HealthScreen,
    HelpScreen,
    JournalScreen,
    KinerjaScreen,
    NotificationsScreen,
    SitesScreen,
)
from cc_console.screens.main import MainScreen

__all__ = [
    "AgencyDetailScreen",
    "AgencyPicker",
    "HealthScreen",
    "HelpScreen",
    "IncidentDetailScreen",
    "JournalScreen",
    "KinerjaScreen",
    "MainScreen",
    "MeetingDetailScreen",
    "NotePrompt",
    "NotificationsScreen",
    "SitesScreen",
]
