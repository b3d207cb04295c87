"""What Recueil knows beyond passages: practice cards, cases and quotes."""
