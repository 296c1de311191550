"""Stand-alone tools that work on the platform's public outputs (no service code imported)."""
