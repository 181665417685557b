"""TUI tests: the real app under Textual's Pilot, SVG snapshots, a real terminal (tmux)."""
