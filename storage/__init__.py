"""DuckDB storage: the only place in Tenderwise that speaks SQL."""
