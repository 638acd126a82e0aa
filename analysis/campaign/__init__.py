"""The re-registration campaign over time: the history of observed states and progress since a baseline."""
