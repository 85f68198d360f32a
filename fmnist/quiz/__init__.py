"""The quiz: a person (or a whole class) against the model, with class games kept in a database.

db.py opens the database and migrates it; schema.py is its tables; games.py the rules; report.py the end summary.
"""
