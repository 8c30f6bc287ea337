# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

// KV v2
path "secret/data/{{identity.entity.id}}/*" {
  capabilities = ["create", "update", "patch", "read", "delete", "list"]
  required_parameters = ["bar", "baz"]
  allowed_parameters = {
    "foo" = []
    "*" = ["spam", "eggs"]
  }
  denied_parameters = { "secret" = [] }
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = 90
}
/* deny everything else */
path "secret/+/admin*" { capabilities = ["deny"] }
path "sys/*" { capabilities = ["sudo", "read"], }
