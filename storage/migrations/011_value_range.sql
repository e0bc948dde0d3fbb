-- A notice's value may be a range (Contracts Finder's Value Low / Value High, a budget
-- 'from … to …'): value_amount keeps the upper end, as before, and value_low the lower one.
ALTER TABLE tenders ADD COLUMN value_low DOUBLE;
