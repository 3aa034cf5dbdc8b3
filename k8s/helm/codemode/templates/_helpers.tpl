{{/* The release's base name, at most 63 characters (a DNS label). */}}
{{- define "codemode.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select a component's pods; "component" is app or executor. */}}
{{- define "codemode.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "codemode.labels" -}}
{{ include "codemode.selector" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: codemode
{{- end -}}

{{- define "codemode.secretName" -}}
{{- if .Values.apiKey.existingSecret -}}
{{- .Values.apiKey.existingSecret -}}
{{- else -}}
{{- include "codemode.fullname" . }}-api-key
{{- end -}}
{{- end -}}

{{/* The pod-level securityContext every pod gets. */}}
{{- define "codemode.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The container-level securityContext every container gets. */}}
{{- define "codemode.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The executor container, the same in sidecar and standalone mode. */}}
{{- define "codemode.executorContainer" -}}
- name: executor
  image: "{{ .Values.image.executor.repository }}:{{ .Values.image.executor.tag }}"
  imagePullPolicy: {{ .Values.image.executor.pullPolicy }}
  args: {{ toJson .Values.executor.args }}
  ports:
    - name: executor
      containerPort: {{ .Values.executor.port }}
      protocol: TCP
  env:
    # The sandboxes' private dirs go here: the only writable path in the container.
    - name: TMPDIR
      value: /tmp
    - name: CODEMODE_EXECUTOR_KEY
      valueFrom:
        secretKeyRef:
          name: {{ include "codemode.secretName" . }}
          key: {{ .Values.apiKey.secretKey }}
    # "id:key": the service reports callers as api-key:<id>, never by the key.
    - name: CODEMODE_API_KEYS
      value: "{{ .Values.apiKey.id }}:$(CODEMODE_EXECUTOR_KEY)"
  securityContext:
    {{- include "codemode.containerSecurityContext" . | nindent 4 }}
  resources:
    {{- toYaml .Values.executor.resources | nindent 4 }}
  startupProbe:
    httpGet: { path: /health, port: executor }
    periodSeconds: 2
    failureThreshold: 30
  livenessProbe:
    httpGet: { path: /health, port: executor }
    periodSeconds: 10
    timeoutSeconds: 3
    failureThreshold: 3
  # /ready is 503 while draining or when every sandbox slot is taken: the Service
  # then sends new executions to other replicas.
  readinessProbe:
    httpGet: { path: /ready, port: executor }
    periodSeconds: 5
    timeoutSeconds: 3
    failureThreshold: 1
  volumeMounts:
    - name: executor-tmp
      mountPath: /tmp
    - name: executor-config
      mountPath: /etc/codemode
      readOnly: true
{{- end -}}

{{- define "codemode.executorVolumes" -}}
- name: executor-tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.executor.tmpSizeLimit }}
- name: executor-config
  configMap:
    name: {{ include "codemode.fullname" . }}-executor
{{- end -}}

{{/* Running executions get shutdownTimeoutMs to finish on SIGTERM; the pod gets 10 s more. */}}
{{- define "codemode.gracePeriod" -}}
{{- add (div (add .Values.executor.shutdownTimeoutMs 999) 1000) 10 -}}
{{- end -}}
