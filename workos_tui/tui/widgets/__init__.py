"""Widgets of the WorkOS app, each owning one area of the screen."""
