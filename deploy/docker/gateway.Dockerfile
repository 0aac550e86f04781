# syntax=docker/dockerfile:1
# The gateway process: the DirectConnect binary hosting module Gateway.
# Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t directconnect/gateway:dev .
# (Not built in this repository's CI: no container engine runs there. The deployment test checks
# this file statically against deploy/kustomize.)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The build bundles the web console (gateway/Console) with esbuild: Node.js and npm from Debian.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props package.json package-lock.json ./
COPY sdk/typescript/ sdk/typescript/
COPY protos/ protos/
COPY services/ services/
COPY gateway/ gateway/
RUN dotnet publish gateway/DirectConnect.Gateway.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV DirectConnect__ListenAddress=0.0.0.0 \
    DirectConnect__GrpcPort=9090 \
    DirectConnect__RestPort=8080 \
    DirectConnect__MetricsPort=9464 \
    DirectConnect__DataDirectory=/tmp/directconnect \
    DirectConnect__Modules=Gateway
EXPOSE 9090 8080 9464
# The image's non-root user (uid 1654).
USER $APP_UID
ENTRYPOINT ["dotnet", "DirectConnect.Gateway.dll", "--DirectConnect:Modules=Gateway"]
