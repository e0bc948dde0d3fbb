-- Where the work is and whom to ask, as the notice gives them (Contracts Finder's Region and
-- Contact Email / Contact Website, a spreadsheet's region and contact columns).
ALTER TABLE tenders ADD COLUMN region VARCHAR;
ALTER TABLE tenders ADD COLUMN contact VARCHAR;
