"""The tamper-evident audit log: the hash chain (`chain`), its rows in the database
(`store`), transactions that record actions (`trail`), the object-store mirror (`mirror`,
`bucket`) and the after-the-fact checks (`verify`). See docs/audit.md."""
