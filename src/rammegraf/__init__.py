"""rammegraf: knowledge graph of the Midtjylland Rammeaftale 2025-26."""
