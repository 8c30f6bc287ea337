package io.secretsync.core.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretData;
import io.secretsync.core.TemplateRenderer.Rendered;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.TargetTemplate;
import io.secretsync.core.model.TemplateAs;
import io.secretsync.core.model.TemplateFrom;
import io.secretsync.core.model.TemplateMergePolicy;
import io.secretsync.core.model.TemplateScope;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ESO's documented template examples (docs/guides/common-k8s-secret-types.md, docs/snippets/*.yaml)
 * rendered through {@link SecretTemplating}, and ESO's ApplyTemplate order and merge rules
 * (pkg/controllers/externalsecret/externalsecret_controller_template.go).
 */
class EsoTemplatingTest {

  static final ExternalSecret ES = ExternalSecret.builder("apps", "example").build();

  static KeyPair caKey;
  static X509Certificate ca;
  static KeyPair leafKey;
  static X509Certificate leaf;

  @BeforeAll
  static void pki() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    caKey = gen.generateKeyPair();
    leafKey = gen.generateKeyPair();
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    Date from = new Date(System.currentTimeMillis() - 60_000);
    Date to = new Date(System.currentTimeMillis() + 86_400_000L);
    X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(new X500Name("CN=Test CA"), BigInteger.ONE,
        from, to, new X500Name("CN=Test CA"), caKey.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKey.getPublic()));
    ca = new JcaX509CertificateConverter().getCertificate(
        caBuilder.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKey.getPrivate())));
    X509v3CertificateBuilder leafBuilder = new JcaX509v3CertificateBuilder(ca, BigInteger.TWO, from, to,
        new javax.security.auth.x500.X500Principal("CN=app.example.com"), leafKey.getPublic())
        .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leafKey.getPublic()))
        .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
    leaf = new JcaX509CertificateConverter().getCertificate(
        leafBuilder.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKey.getPrivate())));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /**
   * With a password, the platform's PKCS#12 (PBES2, AES-256, HMAC-SHA-256); without one, the
   * legacy PKCS#12 PBE with 3DES that openssl's {@code -legacy} export writes.
   */
  static byte[] pkcs12(String password) throws Exception {
    if (password.isEmpty()) {
      org.bouncycastle.operator.OutputEncryptor enc = new org.bouncycastle.pkcs.bc.BcPKCS12PBEOutputEncryptorBuilder(
          org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC,
          new org.bouncycastle.crypto.modes.CBCBlockCipher(new org.bouncycastle.crypto.engines.DESedeEngine()))
          .build(new char[0]);
      org.bouncycastle.pkcs.PKCS12PfxPduBuilder b = new org.bouncycastle.pkcs.PKCS12PfxPduBuilder();
      b.addEncryptedData(enc, new org.bouncycastle.pkcs.PKCS12SafeBag[] {
          new org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder(leaf).build(),
          new org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder(ca).build()});
      b.addData(new org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder(leafKey.getPrivate(), enc).build());
      return b.build(new org.bouncycastle.pkcs.bc.BcPKCS12MacCalculatorBuilder(), new char[0]).getEncoded();
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("tls", leafKey.getPrivate(), password.toCharArray(), new X509Certificate[] {leaf, ca});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, password.toCharArray());
    return out.toByteArray();
  }

  static TargetTemplate template(String type, TemplateMergePolicy merge, Map<String, String> data,
      List<TemplateFrom> from, Map<String, String> labels, Map<String, String> annotations) {
    return new TargetTemplate(type, "v2", merge, ImmutableMap.copyOf(labels), ImmutableMap.copyOf(annotations),
        ImmutableMap.copyOf(data), ImmutableList.copyOf(from));
  }

  static TargetTemplate dataOnly(String type, Map<String, String> data) {
    return template(type, TemplateMergePolicy.REPLACE, data, List.of(), Map.of(), Map.of());
  }

  static String string(Rendered r, String key) {
    return r.data().getString(key).orElseThrow();
  }

  @Test
  void dockerConfigJsonExampleRendersTheDocumentedBytes() {
    // docs/guides/common-k8s-secret-types.md, "dk-cfg-example"
    String tpl = "{\"auths\":{\"{{ .registryName | lower }}.{{ .registryHost }}\":{\"username\":\"{{ .registryName }}\","
        + "\"password\":\"{{ .password }}\",\"auth\":\"{{ printf \"%s:%s\" .registryName .password | b64enc }}\"}}}";
    Rendered r = new SecretTemplating().render(ES, dataOnly("kubernetes.io/dockerconfigjson",
        Map.of(".dockerconfigjson", tpl)), SecretData.ofStrings(Map.of(
            "registryName", "myRegistry", "registryHost", "docker.io", "password", "pa55")));
    assertEquals("kubernetes.io/dockerconfigjson", r.type());
    assertEquals(List.of(".dockerconfigjson"), List.copyOf(r.data().keys()));
    assertEquals("{\"auths\":{\"myregistry.docker.io\":{\"username\":\"myRegistry\",\"password\":\"pa55\","
        + "\"auth\":\"" + Base64.getEncoder().encodeToString("myRegistry:pa55".getBytes(StandardCharsets.UTF_8))
        + "\"}}}", string(r, ".dockerconfigjson"));
  }

  @Test
  void jsonConfigBuiltFromSeveralKeys() {
    // docs/snippets/multiline-template-v2-external-secret.yaml and multikey-template-v2-external-secret.yaml
    String config = "datasources:\n- name: Graphite\n  type: graphite\n  access: proxy\n"
        + "  url: http://localhost:8080\n  password: \"{{ .password }}\"\n  user: \"{{ .user }}\"\n";
    Rendered r = new SecretTemplating().render(ES, dataOnly("", Map.of(
        "config", config,
        "connection", "{{ .dburl | replace \"postgres://\" \"postgresql://\" }}",
        "name", "admin",
        "app.json", "{{ dict \"user\" .user \"password\" .password \"url\" .dburl | toJson }}")),
        SecretData.ofStrings(Map.of("user", "grafana", "password", "p<&>w", "dburl", "postgres://db:5432/app")));
    assertEquals("datasources:\n- name: Graphite\n  type: graphite\n  access: proxy\n"
        + "  url: http://localhost:8080\n  password: \"p<&>w\"\n  user: \"grafana\"\n", string(r, "config"));
    assertEquals("postgresql://db:5432/app", string(r, "connection"));
    assertEquals("admin", string(r, "name"));
    // Go's json.Marshal escapes <, > and & as ESO's output does
    assertEquals("{\"password\":\"p\\u003c\\u0026\\u003ew\",\"url\":\"postgres://db:5432/app\",\"user\":\"grafana\"}",
        string(r, "app.json"));
    assertEquals(List.of("app.json", "config", "connection", "name"), List.copyOf(r.data().keys()));
  }

  @Test
  void tlsSecretFromAPkcs12Bundle() throws Exception {
    // docs/snippets/pkcs12-template-v2-external-secret.yaml
    String expectedCrt = pem("CERTIFICATE", leaf.getEncoded()) + pem("CERTIFICATE", ca.getEncoded());
    String expectedKey = pem("PRIVATE KEY", leafKey.getPrivate().getEncoded());
    for (String password : List.of("", "my-password")) {
      String pass = password.isEmpty() ? "" : " \"" + password + "\"";
      Rendered r = new SecretTemplating().render(ES, dataOnly("kubernetes.io/tls", Map.of(
          "tls.crt", "{{ .mysecret | pkcs12cert" + (password.isEmpty() ? "" : "Pass") + pass + " }}",
          "tls.key", "{{ .mysecret | pkcs12key" + (password.isEmpty() ? "" : "Pass") + pass + " }}")),
          SecretData.of(Map.of("mysecret", pkcs12(password))));
      assertEquals("kubernetes.io/tls", r.type());
      assertEquals(expectedCrt, string(r, "tls.crt"), "password '" + password + "'");
      assertEquals(expectedKey, string(r, "tls.key"), "password '" + password + "'");
    }
  }

  @Test
  void pemToPkcs12RoundTripsThroughPkcs12Functions() throws Exception {
    String certPem = pem("CERTIFICATE", leaf.getEncoded()) + pem("CERTIFICATE", ca.getEncoded());
    String keyPem = pem("PRIVATE KEY", leafKey.getPrivate().getEncoded());
    Map<String, String> data = Map.of("crt", certPem, "key", keyPem);
    String t = "{{ fullPemToPkcs12Pass .crt .key \"pw\" | b64dec | pkcs12certPass \"pw\" }}"
        + "{{ fullPemToPkcs12 .crt .key | b64dec | pkcs12key }}";
    assertEquals(certPem + keyPem, Template.parse("roundtrip", t).render(data));
    assertEquals(pem("CERTIFICATE", leaf.getEncoded()),
        Template.parse("f", "{{ pemToPkcs12 (.crt | filterPEM \"CERTIFICATE\") .key | b64dec | pkcs12cert }}")
            .render(Map.of("crt", "junk before\n" + pem("CERTIFICATE", leaf.getEncoded()), "key", keyPem)));
  }

  @Test
  void filterPemKeepsOneTypeAndRejectsJunk() throws Exception {
    String key = pem("PRIVATE KEY", leafKey.getPrivate().getEncoded());
    String crt = pem("CERTIFICATE", leaf.getEncoded());
    Template t = Template.parse("f", "{{ .bundle | filterPEM \"PRIVATE KEY\" }}");
    assertEquals(key, t.render(Map.of("bundle", "prefix junk\n" + crt + key)));
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of("bundle", "no pem here")));
    assertTrue(e.reason().contains("error filtering pem: found junk"), e.getMessage());
  }

  @Test
  void jwkToPem() throws Exception {
    java.security.interfaces.RSAPublicKey pub = (java.security.interfaces.RSAPublicKey) leafKey.getPublic();
    java.security.interfaces.RSAPrivateCrtKey priv = (java.security.interfaces.RSAPrivateCrtKey) leafKey.getPrivate();
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    java.util.function.Function<BigInteger, String> enc = n -> {
      byte[] x = n.toByteArray();
      if (x[0] == 0) {
        x = java.util.Arrays.copyOfRange(x, 1, x.length);
      }
      return b.encodeToString(x);
    };
    String jwk = "{\"kty\":\"RSA\",\"n\":\"" + enc.apply(pub.getModulus()) + "\",\"e\":\"" + enc.apply(pub.getPublicExponent())
        + "\",\"d\":\"" + enc.apply(priv.getPrivateExponent()) + "\",\"p\":\"" + enc.apply(priv.getPrimeP())
        + "\",\"q\":\"" + enc.apply(priv.getPrimeQ()) + "\",\"dp\":\"" + enc.apply(priv.getPrimeExponentP())
        + "\",\"dq\":\"" + enc.apply(priv.getPrimeExponentQ()) + "\",\"qi\":\"" + enc.apply(priv.getCrtCoefficient())
        + "\"}";
    // docs/snippets/jwk-template-v2-external-secret.yaml
    assertEquals(pem("PUBLIC KEY", pub.getEncoded()),
        Template.parse("jwk_pub", "{{ .myjwk | jwkPublicKeyPem }}").render(Map.of("myjwk", jwk)));
    assertEquals(pem("PRIVATE KEY", priv.getEncoded()),
        Template.parse("jwk_priv", "{{ .myjwk | jwkPrivateKeyPem }}").render(Map.of("myjwk", jwk)));
  }

  // ---- ESO's ApplyTemplate order and merge rules

  static final SecretData PROVIDER = SecretData.ofStrings(Map.of("user", "grafana", "password", "pw",
      "uri", "oci://registry"));

  static final TemplateSources SOURCES = new TemplateSources() {
    @Override
    public Optional<Map<String, String>> configMap(String namespace, String name) {
      if (!namespace.equals("apps") || !name.equals("grafana-config-tpl")) {
        return Optional.empty();
      }
      // docs/snippets/template-v2-from-secret.yaml (the annotation uses a fixed value instead of now)
      return Optional.of(Map.of(
          "config.yaml", "url: \"{{ .uri }}\"\nuser: \"{{ .user }}\"\n",
          "templated", "# key and value templated\nmy-application-{{ .user}}: {{ .password | b64enc }}\n"
              + "# conditional keys\n{{- if hasPrefix \"oci://\" .uri }}\nenableOCI: true\n{{- else }}\n"
              + "enableOCI: false\n{{- end }}\n# Fixed values\napplication-type: grafana\n",
          "annotations", "last-synced-for-user/{{ .user }}: \"2024-01-01\"\n"));
    }

    @Override
    public Optional<Map<String, byte[]>> secret(String namespace, String name) {
      return name.equals("tpl-secret")
          ? Optional.of(Map.of("conn", "{{ .user }}@{{ .uri }}".getBytes(StandardCharsets.UTF_8)))
          : Optional.empty();
    }
  };

  static TemplateFrom configMap(TemplateScope target, TemplateFrom.Item... items) {
    return new TemplateFrom(Optional.of(new TemplateFrom.Source("grafana-config-tpl", ImmutableList.copyOf(items))),
        Optional.empty(), Optional.empty(), target);
  }

  @Test
  void templateFromConfigMapValuesAndKeysAndValues() {
    TargetTemplate t = template("", TemplateMergePolicy.REPLACE, Map.of(), List.of(
        configMap(TemplateScope.DATA, new TemplateFrom.Item("config.yaml", TemplateAs.VALUES),
            new TemplateFrom.Item("templated", TemplateAs.KEYS_AND_VALUES)),
        configMap(TemplateScope.ANNOTATIONS, new TemplateFrom.Item("annotations", TemplateAs.KEYS_AND_VALUES))),
        Map.of(), Map.of());
    Rendered r = new SecretTemplating(SOURCES).render(ES, t, PROVIDER);
    assertEquals("url: \"oci://registry\"\nuser: \"grafana\"\n", string(r, "config.yaml"));
    assertEquals(Base64.getEncoder().encodeToString("pw".getBytes(StandardCharsets.UTF_8)),
        string(r, "my-application-grafana"));
    assertEquals("true", string(r, "enableOCI"));
    assertEquals("grafana", string(r, "application-type"));
    assertEquals(List.of("application-type", "config.yaml", "enableOCI", "my-application-grafana"),
        List.copyOf(r.data().keys()));
    assertEquals(Map.of("last-synced-for-user/grafana", "2024-01-01"), r.annotations());
  }

  @Test
  void replacePolicyDropsProviderKeysAndMergeKeepsThem() {
    Map<String, String> data = Map.of("password", "{{ .password | upper }}", "extra", "x");
    Rendered replace = new SecretTemplating().render(ES,
        template("", TemplateMergePolicy.REPLACE, data, List.of(), Map.of(), Map.of()), PROVIDER);
    assertEquals(List.of("extra", "password"), List.copyOf(replace.data().keys()));
    Rendered merge = new SecretTemplating().render(ES,
        template("", TemplateMergePolicy.MERGE, data, List.of(), Map.of(), Map.of()), PROVIDER);
    assertEquals(List.of("extra", "password", "uri", "user"), List.copyOf(merge.data().keys()));
    assertEquals("PW", string(merge, "password"));
  }

  @Test
  void templateWithoutDataOrTemplateFromKeepsProviderData() {
    Rendered r = new SecretTemplating().render(ES, template("Opaque", TemplateMergePolicy.REPLACE, Map.of(),
        List.of(), Map.of("team", "{{ .user }}"), Map.of("note", "static")), PROVIDER);
    assertEquals(PROVIDER, r.data());
    assertEquals(Map.of("team", "grafana"), r.labels());
    assertEquals(Map.of("note", "static"), r.annotations());
    assertEquals("Opaque", r.type());
  }

  @Test
  void dataTemplatesWinOverTemplateFromAndLiteralTargetsLabels() {
    TemplateFrom literal = new TemplateFrom(Optional.empty(), Optional.empty(),
        Optional.of("conn: from-literal\nuser: \"{{ .user }}\""), TemplateScope.DATA);
    TemplateFrom secret = new TemplateFrom(Optional.empty(),
        Optional.of(new TemplateFrom.Source("tpl-secret", ImmutableList.of(new TemplateFrom.Item("conn", TemplateAs.VALUES)))),
        Optional.empty(), TemplateScope.DATA);
    TemplateFrom labels = new TemplateFrom(Optional.empty(), Optional.empty(),
        Optional.of("owner: \"{{ .user }}\""), TemplateScope.LABELS);
    Rendered r = new SecretTemplating(SOURCES).render(ES, template("", TemplateMergePolicy.REPLACE,
        Map.of("user", "{{ .user | title }}"), List.of(literal, secret, labels), Map.of(), Map.of()), PROVIDER);
    assertEquals("grafana@oci://registry", string(r, "conn"));
    assertEquals("Grafana", string(r, "user"));
    assertEquals(Map.of("owner", "grafana"), r.labels());
  }

  @Test
  void missingTemplateSourcesAndKeysAreConfigErrors() {
    TargetTemplate missingMap = template("", TemplateMergePolicy.REPLACE, Map.of(), List.of(
        new TemplateFrom(Optional.of(new TemplateFrom.Source("nope", ImmutableList.of())), Optional.empty(),
            Optional.empty(), TemplateScope.DATA)), Map.of(), Map.of());
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> new SecretTemplating(SOURCES).render(ES, missingMap, PROVIDER));
    assertEquals("spec.target.template.templateFrom[0].configMap.name", e.field());
    TargetTemplate missingKey = template("", TemplateMergePolicy.REPLACE, Map.of(), List.of(
        configMap(TemplateScope.DATA, new TemplateFrom.Item("absent", TemplateAs.VALUES))), Map.of(), Map.of());
    e = assertThrows(InvalidConfigException.class, () -> new SecretTemplating(SOURCES).render(ES, missingKey, PROVIDER));
    assertTrue(e.getMessage().contains("error in configmap grafana-config-tpl: missing key absent"), e.getMessage());
  }

  @Test
  void keysAndValuesMustRenderAFlatMap() {
    TemplateFrom literal = new TemplateFrom(Optional.empty(), Optional.empty(), Optional.of("port:\n  nested: 1"),
        TemplateScope.DATA);
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new SecretTemplating().render(ES,
        template("", TemplateMergePolicy.REPLACE, Map.of(), List.of(literal), Map.of(), Map.of()), PROVIDER));
    assertTrue(e.getMessage().contains("cannot unmarshal object into Go value of type string"), e.getMessage());
  }

  @Test
  void renderErrorsNameTheDataKeyAndNoValue() {
    TemplateException e = assertThrows(TemplateException.class, () -> new SecretTemplating().render(ES,
        dataOnly("", Map.of("dsn", "{{ .password }}@{{ .host }}")), PROVIDER));
    assertEquals("dsn", e.templateName());
    assertEquals(20, e.column());
    assertTrue(!e.getMessage().contains("pw@"), e.getMessage());
  }

  @Test
  void rewriteTransformUsesDotValueAndGoDefaultMissingKey() {
    // docs/guides/datafrom-rewrite.md: transform templates see the key as .value; ESO parses them without
    // missingkey=error (runtime/esutils/utils.go RewriteTransform)
    SecretTemplating templating = new SecretTemplating();
    assertEquals("APP_DB_USER", templating.transformKey("APP_{{ .value | upper | replace \"-\" \"_\" }}", "db-user"));
    assertEquals("<no value>", templating.transformKey("{{ .other }}", "k"));
  }
}
