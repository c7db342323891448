"""What clients read, as pure functions of a scorer: Swagger/OpenAPI (`openapi`), the contract's JSON
Schema (`jsonschema`) and the Power Query function (`powerquery`)."""
