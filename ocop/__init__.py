"""OCOP listing sync: the command line and the settings shared by every part."""
