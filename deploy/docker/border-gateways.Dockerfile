# syntax=docker/dockerfile:1
# The border-gateways process: the DirectConnect binary hosting module BorderGateways.
# Build from the repository root:
#   docker build -f deploy/docker/border-gateways.Dockerfile -t directconnect/border-gateways:dev .
# (Not built in this repository's CI: no container engine runs there. The deployment test checks
# this file statically against deploy/kustomize.)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY services/ services/
COPY gateway/ gateway/
# Only the public edge serves the web console: this image is built without it (and without Node.js).
RUN dotnet publish gateway/DirectConnect.Gateway.csproj -c Release -o /app --nologo -p:BuildConsole=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV DirectConnect__ListenAddress=0.0.0.0 \
    DirectConnect__GrpcPort=9090 \
    DirectConnect__RestPort=8080 \
    DirectConnect__MetricsPort=9464 \
    DirectConnect__DataDirectory=/tmp/directconnect \
    DirectConnect__Modules=BorderGateways
EXPOSE 9090 8080 9464
# The image's non-root user (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "DirectConnect.Gateway.dll", "--DirectConnect:Modules=BorderGateways"]
