"""The admin web UI adapter: server-rendered pages under /ams/."""
