"""Sign-up, sign-in and browser sessions."""
