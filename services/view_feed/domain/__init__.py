"""Pure parts of the view feed: cursors and who may read which view."""
