"""Claims, figures and the HTML/PDF report, computed from tidy tables only (never imports torch)."""
