"""Reusable Streamlit widgets and Altair chart builders."""
