"""The pages of the reports area, one module per page or family of pages.

dashboard.py  the dashboard and the entries behind its figures
reports.py    asking for reports, their list and downloads
texts.py      the year's key messages and scope 3 exclusions
exports.py    the inventory downloads (CSV, workbook)
"""
