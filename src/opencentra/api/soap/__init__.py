"""The SOAP ERP API adapter (Centra's deprecated SOAP interface at /ams/system/service/module/soap/api)."""
