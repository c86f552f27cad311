"""Import of activity spreadsheets, one module per phase.

    reading    the upload's bytes: real type, macros, archive and size limits,
               header, raw rows (no ORM)
    values     one cell: year, date, text, the cell as the user typed it
    template   the Excel and CSV templates made for an organisation
    rows       checking and calculating rows, one kind of row at a time
    stored     the files kept beside an upload (parsed rows, shown rows)
    preview    preview an upload, in the request or through the task queue
    commit     write every entry of a preview in one transaction, or none
    resume     start a stopped check or commit again
    rollback   delete the entries a committed batch created
    discard    drop an upload that was never imported
    selectors  a page of a preview, whether a batch stopped, the limits
    tasks      the task-queue entry points of preview and commit
    views      the pages; urls their addresses

The model (`ImportBatch`) lives with the other models in `emissions.models`.
The browser and `manage.py import_activities` call the same services.
"""
