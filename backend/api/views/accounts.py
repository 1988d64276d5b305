"""Sign-up, sign-in, tokens and the signed-in user's profile (shapes of brief 002)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import services
from backend.api.serializers import (
    AccountSerializer,
    AuthResponseSerializer,
    LoginSerializer,
    MessageSerializer,
    ProfileSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
)
from backend.platform import ratelimit
from backend.platform.addresses import client_address


def _tokens(refresh) -> dict:
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


def _signed_in(user, refresh, message, status_code=status.HTTP_200_OK) -> Response:
    body = {"user": AccountSerializer(user).data, "tokens": _tokens(refresh), "message": message}
    return Response(body, status=status_code)


class RegisterView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=RegisterSerializer, responses={201: AuthResponseSerializer}, tags=["users"]
    )
    def post(self, request):
        """Create an account and sign in to it."""
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.register_user(**serializer.validated_data)
        return _signed_in(
            user, services.tokens_for(user), "User registered successfully", status.HTTP_201_CREATED
        )


class LoginView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: AuthResponseSerializer,
            401: OpenApiResponse(description="Wrong username or password."),
        },
        tags=["users"],
    )
    def post(self, request):
        """Sign in with a username and password. Attempts are limited per username and address."""
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ratelimit.check_login(request, serializer.validated_data["username"])
        user, refresh = services.issue_tokens(
            **serializer.validated_data, address=client_address(request.META)
        )
        return _signed_in(user, refresh, "Login successful")


class RefreshView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer}, tags=["users"])
    def post(self, request):
        """Trade a refresh token for a new pair; the old refresh token stops working."""
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, refresh = services.refresh_tokens(refresh=serializer.validated_data["refresh"])
        return Response(_tokens(refresh))


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshSerializer, responses={200: MessageSerializer}, tags=["users"])
    def post(self, request):
        """Sign out: the refresh token can no longer be used."""
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.revoke_token(refresh=serializer.validated_data["refresh"])
        return Response({"message": "Logged out"})


class MeView(APIView):
    @extend_schema(responses={200: ProfileSerializer}, tags=["users"])
    def get(self, request):
        """The signed-in user's profile."""
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(request=ProfileSerializer, responses={200: ProfileSerializer}, tags=["users"])
    def patch(self, request):
        """Change the signed-in user's profile and preferences; only the fields sent change."""
        serializer = ProfileSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.update_profile(user=request.user, **serializer.validated_data)
        return Response(ProfileSerializer(user).data)
