"""Rendering: a catalogue product into the exact listing one channel receives, or the reasons it
cannot be (the completeness gate). Channel profiles, templates, text fitting, the OCOP star badge,
the GTIN barcode, images, and the render pool that draws listings in a process of their own.

No database and no marketplace: what to render, and when, is the publisher's (`publishing`)."""
