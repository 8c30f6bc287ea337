path "a/*" {
  capabilities = <<EOF
read
EOF
}
