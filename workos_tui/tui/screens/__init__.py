"""Screens and modals of the WorkOS app."""
