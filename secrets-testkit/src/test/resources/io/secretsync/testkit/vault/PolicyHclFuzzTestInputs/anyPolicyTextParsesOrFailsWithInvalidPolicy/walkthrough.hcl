path "secret/data/example-api/*" {
  capabilities = ["read"]
}
