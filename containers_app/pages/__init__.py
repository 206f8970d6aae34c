"""What each page shows, built once for the views and for the live fragments alike."""
