"""What is on screen as a file: the export routes and the CSV, Excel and PDF writers."""
