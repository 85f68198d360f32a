"""The Streamlit app: one module per page, plus the state and widgets the pages share."""
