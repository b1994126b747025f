"""The organisers' daily report: figures from the database, a text and a chart, sent to their chat."""
