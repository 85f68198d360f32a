"""Entry point: `streamlit run streamlit_app.py`. The app itself lives in fmnist/ui/."""

from fmnist.ui.app import main

main()
